{
  "targets": [
    {
      "target_name": "mtsl_onednn",
      "sources": [
        "src/addon.cc",
        "src/conv.cc",
        "src/matmul.cc",
        "src/resample.cc",
        "src/eltwise.cc",
        "src/pool.cc",
        "src/training.cc",
        "src/maxpool.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node scripts/check-onednn.js --include-dirs)"
      ],
      "libraries": [
        "<!@(node scripts/check-onednn.js --library-dirs)",
        "-ldnnl",
        "-fopenmp"
      ],
      "cflags!": [
        "-fno-exceptions"
      ],
      "cflags_cc!": [
        "-fno-exceptions"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-O3",
        "-fexceptions",
        "-fopenmp"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS"
      ]
    }
  ]
}
