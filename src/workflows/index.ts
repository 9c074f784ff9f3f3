export { degradationReport } from './degradation-report';
export { correlationGroup } from './correlation';
