// Version numbers as TensorRT and CUDA encode them, and which TensorRT a build of the addon may
// drive. The last rule follows NVIDIA's versioning: the API and ABI change incompatibly only at a
// major, a minor only adds (Support Policies, "API Versioning"; Version Compatibility: "TensorRT
// removes APIs only on major version boundaries"). So an addon compiled against the headers of X.Y
// may call into a library X.Z with Z >= Y, never into an older minor (whose vtables may end before
// a slot it calls) nor another major.

/** `8601` to `8.6.1`, `100300` to `10.3.0` (the encodings of TensorRT 8 and 10). */
export function formatTensorRTVersion(v: number): string {
  if (v >= 100000) return `${Math.floor(v / 10000)}.${Math.floor(v / 100) % 100}.${v % 100}`;
  return `${Math.floor(v / 1000)}.${Math.floor(v / 100) % 10}.${v % 100}`;
}

/** `12060` to `12.6`, the CUDA encoding (1000 x major + 10 x minor). */
export function formatCudaVersion(v: number): string {
  return `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
}

/**
 * Why an addon compiled against TensorRT `headers` (`8.2.1`) cannot drive the TensorRT `library`
 * (`8.6.1`), or undefined when it can: same major, headers' minor not newer than the library's.
 * @internal
 */
export function tensorrtMismatch(headers: string, library: string): string | undefined {
  const [hMajor, hMinor] = headers.split('.').map(Number) as [number, number];
  const [lMajor, lMinor] = library.split('.').map(Number) as [number, number];
  if (hMajor !== lMajor)
    return `compiled for TensorRT ${hMajor}.x (headers ${headers}), the library is ${library}`;
  if (hMinor > lMinor)
    return `compiled against TensorRT ${headers} headers, newer than the library (${library}): a minor release only adds to the API, so the headers must not be newer`;
  return undefined;
}
