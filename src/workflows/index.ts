export { degradationReport } from './degradation-report';
export { maintenanceWindow } from './maintenance-window';
export { correlationGroup } from './correlation';
