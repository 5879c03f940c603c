{
  "variables": {
    "trt_include%": "<!(node find-headers.cjs tensorrt)",
    "cuda_include%": "<!(node find-headers.cjs cuda)"
  },
  "targets": [
    {
      "target_name": "edge_trt",
      "sources": [
        "src/addon.cc",
        "src/dl.cc",
        "src/cuda_module.cc",
        "src/trt_builder.cc",
        "src/trt_engine.cc",
        "src/trt_common.cc",
        "src/compat.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "libraries": ["-ldl"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-fvisibility=hidden", "-Wall", "-Wextra"],
      "conditions": [
        ["trt_include!=''", {
          "defines": ["EDGE_WITH_TENSORRT"],
          "cflags_cc": ["-isystem", "<(trt_include)", "-isystem", "<(cuda_include)"]
        }]
      ]
    }
  ]
}
