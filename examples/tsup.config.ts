import { packageConfig } from '@edge/tooling/tsup';

// Each example (and the demo) is a program: node examples/dist/<name>.js
export default packageConfig({
  entry: [
    'src/classify.ts',
    'src/detect.ts',
    'src/segment.ts',
    'src/detect-text.ts',
    'src/ocr.ts',
    'src/face.ts',
    'src/landmarks.ts',
    'src/demo.ts',
  ],
  bin: true,
});
