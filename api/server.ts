import type { Config } from '../core/config/config.js';
import { StartupError } from '../core/errors.js';
import type { App } from './app.js';

/** Listens on HOST:PORT; a taken port or a missing address becomes a StartupError with a hint. */
export async function listen(app: App, config: Config): Promise<string> {
  try {
    return await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new StartupError(
        `Port ${config.port} on ${config.host} is already in use`,
        'Stop the program using it (e.g. `ss -ltnp | grep :PORT`) or set PORT to a free port.',
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new StartupError(
        `HOST ${config.host} is not an address of this machine`,
        'Set HOST to 127.0.0.1 or 0.0.0.0.',
      );
    }
    if (code === 'EACCES') {
      throw new StartupError(
        `Not allowed to listen on port ${config.port}`,
        'Use a port above 1024 or run with the needed privileges.',
      );
    }
    throw err;
  }
}
