#!/usr/bin/env python3
"""Independent decode of a .tflite file with the flatbuffers Python runtime (Debian's
python3-flatbuffers), for cross-checking the TypeScript reader. It uses only the generic Table
API and the field ids of tensorflow/lite/schema/schema.fbs, nothing from the TypeScript code.
Prints one JSON document on stdout."""
import json
import sys

import flatbuffers
from flatbuffers import number_types as N
from flatbuffers.table import Table


def slot(i):
    return 4 + 2 * i


def sub(t, i):
    o = t.Offset(slot(i))
    return Table(t.Bytes, t.Indirect(t.Pos + o)) if o else None


def scalar(t, i, flags, default=0):
    o = t.Offset(slot(i))
    return t.Get(flags, t.Pos + o) if o else default


def string(t, i):
    o = t.Offset(slot(i))
    return t.String(t.Pos + o).decode('utf-8', 'replace') if o else None


def vec(t, i, flags, size):
    o = t.Offset(slot(i))
    if not o:
        return None
    n = t.VectorLen(o)
    start = t.Vector(o)
    return [t.Get(flags, start + k * size) for k in range(n)]


def tables(t, i):
    o = t.Offset(slot(i))
    if not o:
        return []
    n = t.VectorLen(o)
    start = t.Vector(o)
    return [Table(t.Bytes, t.Indirect(start + 4 * k)) for k in range(n)]


def main(path):
    buf = bytearray(open(path, 'rb').read())
    root = flatbuffers.encode.Get(flatbuffers.packer.uoffset, buf, 0)
    m = Table(buf, root)
    codes = []
    for c in tables(m, 1):
        dep = scalar(c, 0, N.Int8Flags)
        code = max(scalar(c, 3, N.Int32Flags), dep)
        codes.append({'builtin': code, 'custom': string(c, 1), 'version': scalar(c, 2, N.Int32Flags, 1)})
    subgraphs = []
    for s in tables(m, 2):
        tensors = []
        for t in tables(s, 0):
            q = sub(t, 4)
            scale = vec(q, 2, N.Float32Flags, 4) if q else None
            tensors.append({
                'name': string(t, 3) or '',
                'shape': vec(t, 0, N.Int32Flags, 4) or [],
                'type': scalar(t, 1, N.Int8Flags),
                'buffer': scalar(t, 2, N.Uint32Flags),
                'scale': scale or [],
                'zeroPoint': (vec(q, 3, N.Int64Flags, 8) if q else None) or [],
            })
        ops = []
        for o in tables(s, 3):
            ops.append({
                'opcodeIndex': scalar(o, 0, N.Uint32Flags),
                'inputs': vec(o, 1, N.Int32Flags, 4) or [],
                'outputs': vec(o, 2, N.Int32Flags, 4) or [],
                'optionsType': scalar(o, 3, N.Uint8Flags),
                'customOptionsLength': len(vec(o, 5, N.Uint8Flags, 1) or []),
            })
        subgraphs.append({
            'name': string(s, 4) or '',
            'inputs': vec(s, 1, N.Int32Flags, 4) or [],
            'outputs': vec(s, 2, N.Int32Flags, 4) or [],
            'tensors': tensors,
            'operators': ops,
        })
    buffers = []
    for b in tables(m, 4):
        o = b.Offset(slot(0))
        buffers.append({'offset': b.Vector(o) if o else 0, 'length': b.VectorLen(o) if o else 0})
    out = {
        'identifier': bytes(buf[4:8]).decode('latin-1'),
        'version': scalar(m, 0, N.Uint32Flags),
        'description': string(m, 3) or '',
        'operatorCodes': codes,
        'subgraphs': subgraphs,
        'buffers': buffers,
    }
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main(sys.argv[1])
