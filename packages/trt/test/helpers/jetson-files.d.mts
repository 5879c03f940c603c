/** A reader of the recorded JetPack files of `release` (a folder of test/fixtures/jetson). */
export function recordedJetson(release: string): (path: string) => string | undefined;
