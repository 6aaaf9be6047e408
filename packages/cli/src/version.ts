/** The ebmkit release this CLI belongs to (kept equal to packages/cli/package.json by a test). */
export const VERSION = '0.1.0';
