export { degradationReport } from './degradation-report';
