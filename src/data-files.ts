// The names of the files Tend keeps in its data folder beside the database, known to the server
// that writes them and to the command-line client that reads them. A module of its own so the
// client can find a key or a running server without loading the server's code.

/** The keys made at the first start, readable by the folder's owner only. */
export const KEYS_FILE = 'keys.json';
/** Written by a running `tend serve` (its URL and process id), removed on a clean stop. */
export const SERVER_FILE = 'server.json';
