export * from './photo-upload';
export * from './photo-upload-stack';
