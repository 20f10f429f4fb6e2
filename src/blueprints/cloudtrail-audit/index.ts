export * from './audited-service';
export * from './cloudtrail-audit';
export * from './cloudtrail-audit-stack';
