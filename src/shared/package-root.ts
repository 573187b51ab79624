import { fileURLToPath } from 'node:url';

/** The package's root directory (src/shared and dist/shared both sit two levels down). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const packagePath = (...parts: string[]): string => [PACKAGE_ROOT.replace(/\/$/, ''), ...parts].join('/');
