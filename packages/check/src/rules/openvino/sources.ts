// Documents the OpenVINO tables follow. There is no OpenVINO backend package in the design
// (openvino-node needs Node >= 21 and downloads its runtime at install), so these tables live next
// to the checker until such a package exists.

import type { RuleSource } from '@edge/core';
import layers from '../../../data/openvino/supported-layers.json' with { type: 'json' };

/** Supported_Devices.md, "Supported Layers" (columns GPU, CPU, VPU, GNA, Arm CPU), as stored for this project. */
export const SUPPORTED_LAYERS: RuleSource = {
  document: 'OpenVINO Supported_Devices.md, "Supported Layers" table',
  version: 'OpenVINO 2022.3 LTS (the last release with the VPU plugins)',
  repository: layers.source.repository,
  path: layers.source.path,
  commit: layers.source.commit,
  url: layers.source.url,
  note: layers.source.note,
};

/** The MYRIAD (VPU) plugin page of 2022.3, the last release that ships the plugin. */
export const MYRIAD_PLUGIN: RuleSource = {
  document: 'OpenVINO documentation: MYRIAD device (VPU plugin), HETERO plugin',
  version: 'OpenVINO 2022.3 LTS',
  url: 'https://docs.openvino.ai/2022.3/openvino_docs_OV_UG_supported_plugins_VPU.html',
  unverified: true,
  note: 'FP16-only execution, static shapes and HETERO fallback: the page was not read for this table',
};

/** The ONNX frontend of 2022.3 (which ONNX ops it converts at all). */
export const ONNX_FRONTEND: RuleSource = {
  document: 'OpenVINO 2022.3 ONNX frontend (src/frontends/onnx/frontend/src/ops_bridge.cpp)',
  version: 'OpenVINO 2022.3 LTS',
  url: 'https://github.com/openvinotoolkit/openvino/blob/releases/2022/3/src/frontends/onnx/frontend/src/ops_bridge.cpp',
  unverified: true,
  note: 'the op list and opset ceiling are as remembered: the repository is too large to fetch here and the file was not read',
};
