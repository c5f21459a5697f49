// class-transformer and class-validator publish typings only for their package roots. The
// compiled body validator reads three internals that their own code uses (and that
// @nestjs/mapped-types reads the same way): these declarations point the CommonJS files at the
// typings shipped beside them.

declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}

declare module 'class-transformer/cjs/constants/default-options.constant' {
  export { defaultOptions } from 'class-transformer/types/constants/default-options.constant';
}

declare module 'class-validator/cjs/validation/ValidationUtils' {
  export { ValidationUtils } from 'class-validator/types/validation/ValidationUtils';
}
