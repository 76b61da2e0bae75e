// Front door of The server: the staff and public listeners (Fastify) over the modules' front doors, and their route table.
// Other folders and the adapters import this file, never the files behind it.
export { type Access, type StaffAccounts } from './auth.ts';
export { PUBLIC_ROUTES, STAFF_ROUTES, type StaffRoute } from './routes.ts';
export type { TypedEndpoint } from './endpoint.ts';
export { type Listeners, startHttpListeners, startListeners } from './serve.ts';
export { configFromFirstProcess, isServingProcess, leaveFirstProcess, reportListening } from './processes.ts';
export { pollMailbox, startMailboxPolling } from './imap-intake.ts';
