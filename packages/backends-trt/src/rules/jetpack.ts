// Target names a Jetson user knows: a JetPack release stands for the TensorRT it ships and the DLA of
// the modules it supports; `dla-xavier` and `dla-orin` stand for one JetPack's DLA.

import type { RuleSource, RuleTableAlias } from '@edge/core';

const DLA_SW: RuleSource = {
  document: 'NVIDIA/Deep-Learning-Accelerator-SW operators/README.md (minimum system configuration table)',
  version: 'commit ea61780e41',
  repository: 'NVIDIA/Deep-Learning-Accelerator-SW',
  path: 'operators/README.md',
  commit: 'ea61780e417c6e29380760cca651e4cb2b8b55cb',
};

function dlaSwRow(row: number, text: string): RuleSource {
  return {
    ...DLA_SW,
    row,
    url: `https://github.com/NVIDIA/Deep-Learning-Accelerator-SW/blob/${DLA_SW.commit}/operators/README.md#L${row}`,
    note: text,
  };
}

/** JetPack releases: the TensorRT they ship and the DLA of their modules (Xavier up to 5.1, Orin from 5.1). */
export const JETPACK_ALIASES: readonly RuleTableAlias[] = [
  {
    id: 'jetpack-4.6',
    name: 'JetPack 4.6 (TensorRT 8.0.1; DLA of Xavier)',
    targets: ['trt-8.0', 'dla-xavier-8.0'],
    source: {
      document: 'JetPack 4.6 component list (L4T R32.6.1, TensorRT 8.0.1)',
      version: 'JetPack 4.6',
      url: 'https://gist.github.com/Tiryoh/2b5dc1f86ab6bc3e6922e97a4c1ac2f2',
      unverified: true,
      note: "a third-party table citing NVIDIA's release notes; NVIDIA's own JetPack 4.6 page was not read here",
    },
  },
  {
    id: 'jetpack-4.6.1',
    name: 'JetPack 4.6.1 to 4.6.x (TensorRT 8.2; DLA of Xavier)',
    targets: ['trt-8.2', 'dla-xavier-8.2'],
    source: {
      document: 'NVIDIA JetPack SDK 4.6.1 page ("JetPack 4.6.1 includes TensorRT 8.2, DLA 1.3.7")',
      version: 'JetPack 4.6.1',
      url: 'https://developer.nvidia.com/jetpack-sdk-461',
    },
  },
  {
    id: 'jetpack-5.1',
    name: 'JetPack 5.1 (TensorRT 8.5.2; DLA of Xavier and Orin)',
    targets: ['trt-8.5', 'dla-xavier-8.5', 'dla-orin-8.5'],
    source: {
      document: 'NVIDIA JetPack SDK 5.1 page ("JetPack 5.1 packages CUDA 11.4, TensorRT 8.5.2")',
      version: 'JetPack 5.1',
      url: 'https://developer.nvidia.com/embedded/jetpack-sdk-51',
      note: 'the Orin DLA matrix names JetPack 5.1.1 with TensorRT 8.5.2 as its minimum configuration (operators/README.md line 19)',
    },
  },
  {
    id: 'jetpack-6.0',
    name: 'JetPack 6.0 (TensorRT 8.6.2; DLA of Orin)',
    targets: ['trt-8.6', 'dla-orin-8.6'],
    source: dlaSwRow(22, '| Jetson Orin (Embedded) | JetPack 6 | DLA 3.14.1 | TensorRT 8.6.2 |'),
  },
  {
    id: 'jetpack-6.1',
    name: 'JetPack 6.1 (TensorRT 10.3; DLA of Orin)',
    targets: ['trt-10.3', 'dla-orin-10.3'],
    source: {
      document:
        'Torch-TensorRT documentation, "Torch-TensorRT in JetPack 6.1" ("CUDA 12.6, TensorRT 10.3, cuDNN 9.3")',
      version: 'JetPack 6.1',
      url: 'https://pytorch.org/TensorRT/getting_started/jetpack.html',
      note: "NVIDIA's JetPack 6.1 release notes were not read here; the TensorRT 10.3 table itself is derived (unverified)",
    },
  },
  {
    id: 'jetpack-6.2',
    name: 'JetPack 6.2 (TensorRT 10.3; DLA of Orin)',
    targets: ['trt-10.3', 'dla-orin-10.3'],
    source: {
      document: 'JetPack 6.2 component lists of third parties (CUDA 12.6, TensorRT 10.3, cuDNN 9.3)',
      version: 'JetPack 6.2',
      url: 'https://docs.nvidia.com/jetson/jetpack/install-setup/index.html',
      unverified: true,
      note: "JetPack 6.2 keeps 6.1's TensorRT 10.3 per third-party lists; NVIDIA's release notes were not read here",
    },
  },
];

/** `dla-xavier`: Xavier's newest JetPack (5.1); `dla-orin`: JetPack 6.0, whose sources are all read. */
export const DLA_ALIASES: readonly RuleTableAlias[] = [
  {
    id: 'dla-xavier',
    name: 'DLA of Xavier at JetPack 5.1 (TensorRT 8.5), the last JetPack for Xavier',
    targets: ['dla-xavier-8.5'],
    source: JETPACK_ALIASES.find((a) => a.id === 'jetpack-5.1')!.source,
  },
  {
    id: 'dla-orin',
    name: 'DLA of Orin at JetPack 6.0 (TensorRT 8.6)',
    targets: ['dla-orin-8.6'],
    source: JETPACK_ALIASES.find((a) => a.id === 'jetpack-6.0')!.source,
  },
];
