export * from './photo-upload';
