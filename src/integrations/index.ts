/**
 * The outside systems a report talks to, built from one validated configuration.
 * Activities hold this bundle and stay thin: build the input, call, return plain data.
 */
import type { IntegrationConfig } from '../config/config';
import { notifier, type Notifier } from './notify';
import { partnerClient, type PartnerClient } from './partner';
import { troubleTicketClient, type TroubleTicketClient } from './troubleTicket';

export interface Integrations {
  troubleTickets: TroubleTicketClient;
  partners: PartnerClient;
  notifier: Notifier;
}

export function createIntegrations(config: IntegrationConfig): Integrations {
  return {
    troubleTickets: troubleTicketClient(config),
    partners: partnerClient(config),
    notifier: notifier(config),
  };
}

export * from './callbacks';
export * from './http';
export * from './ids';
export * from './notify';
export * from './partner';
export * from './tmf';
export * from './troubleTicket';
