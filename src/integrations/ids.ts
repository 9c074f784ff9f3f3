// The naming of external ids belongs to the domain (the workflow derives keys from it); re-exported for the adapters.
export * from '../domain/ids';
