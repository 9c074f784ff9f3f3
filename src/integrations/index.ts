/**
 * The outside systems a report talks to: the TMF621 trouble ticket API, the partners'
 * performance management APIs, the notification webhooks and the callback listener.
 */
export * from './call-options';
export * from './callbacks';
export * from './http';
export * from './ids';
export * from './notify';
export * from './partner';
export * from './tmf';
export * from './troubleTicket';
