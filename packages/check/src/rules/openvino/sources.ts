// Documents the OpenVINO tables follow. There is no OpenVINO backend package in the design
// (openvino-node needs Node >= 21 and downloads its runtime at install), so these tables live in
// @edge/runtime, next to the checker, until such a package exists.

import type { RuleSource } from '@edge/core';

/** OpenVINO 2022.3 LTS "Supported Layers" (ONNX frontend column per device). */
export const SUPPORTED_LAYERS: RuleSource = {
  document: 'OpenVINO documentation: Supported Layers / Supported Framework Operations (ONNX)',
  version: 'OpenVINO 2022.3 LTS',
  url: 'https://docs.openvino.ai/2022.3/openvino_docs_OV_UG_supported_plugins_Supported_Devices.html',
  note: 'op lists as remembered from the 2022.3 tables; not re-read for this table',
};

/** The MYRIAD (VPU) plugin page of 2022.3, the last release that ships the plugin. */
export const MYRIAD_PLUGIN: RuleSource = {
  document: 'OpenVINO documentation: MYRIAD device (VPU plugin), HETERO plugin',
  version: 'OpenVINO 2022.3 LTS',
  url: 'https://docs.openvino.ai/2022.3/openvino_docs_OV_UG_supported_plugins_VPU.html',
  note: 'FP16-only execution, static shapes and HETERO fallback as remembered; not re-read',
};
