export * from './market-data';
export * from './market-data-stack';
