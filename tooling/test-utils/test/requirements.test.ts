import { readRequirements } from '@edge/tooling/test-data';
import { describe, expect, it } from 'vitest';
import { MissingRequirementError, optionsFor, requirement, requires } from '../src/requirements.js';

const photos = requirement('photos');
const ortPython = requirement('ort-python');

describe('the requirement table', () => {
  it('has unique ids, a known way to install each, a check and a purpose', () => {
    const table = readRequirements();
    expect(new Set(table.map((r) => r.id)).size).toBe(table.length);
    for (const r of table) {
      expect(['apt', 'fetch', 'manual', 'optional']).toContain(r.how);
      expect(r.install).not.toBe('');
      expect(r.check).not.toBe('');
      expect(r.purpose).not.toBe('');
    }
  });

  it('EXPECTED FAILURE - an unknown id names the known ones', () => {
    expect(() => requires('pyton-onnx')).toThrow(
      /^unknown test requirement 'pyton-onnx': known are python-onnx, /,
    );
  });
});

describe('what requires() decides', () => {
  it('nothing missing: the test runs', () => {
    expect(optionsFor([], true)).toEqual({});
    expect(optionsFor([], false)).toEqual({});
  });

  it('a local run skips, with the reason and the command in the meta', () => {
    expect(optionsFor([photos], false)).toEqual({
      skip: true,
      meta: {
        skipReason:
          'photos is missing (scikit-image and OpenCV sample photos): bash scripts/test-data.sh (apt-get download python3-skimage opencv-doc, unpacked into .cache/test-data)',
      },
    });
  });

  it('EXPECTED FAILURE - under CI a missing requirement throws with the install command', () => {
    const call = () => optionsFor([requirement('python-opencv'), ortPython], true);
    expect(call).toThrow(MissingRequirementError);
    expect(call).toThrow(
      'CI=true and python-opencv is missing (the OpenCV 4.6 goldens of image preprocessing): sudo apt-get install -y python3-opencv python3-numpy (or bash scripts/test-data.sh)',
    );
  });

  it('an optional requirement is skipped even under CI, and says it is optional', () => {
    const options = optionsFor([ortPython], true);
    expect(options.skip).toBe(true);
    expect(options.meta?.skipReason).toMatch(/^optional, ort-python is missing \(.*\): set EDGE_ORT_PYTHON/);
  });
});
