import { ClassTransformOptions, TransformationType, TransformFnParams } from 'class-transformer';
import { defaultOptions } from 'class-transformer/cjs/constants/default-options.constant';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import {
  getMetadataStorage,
  MetadataStorage,
  ValidationArguments,
  ValidationError,
  ValidationTypes,
  ValidatorConstraintInterface,
} from 'class-validator';
import { ValidationUtils } from 'class-validator/cjs/validation/ValidationUtils';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type ClassType = new () => object;
type Condition = (object: object, value: unknown) => unknown;
type TransformFn = (params: TransformFnParams) => unknown;

/**
 * The class-transformer options of the body pipe. The compiled validator reproduces
 * `plainToInstance` with exactly these (over class-transformer's defaults), so the pipe hands the
 * same object to ValidationPipe for the bodies the compiler leaves to it.
 */
export const BODY_TRANSFORM_OPTIONS: ClassTransformOptions = {
  excludeExtraneousValues: true,
  exposeDefaultValues: true,
};

/**
 * The class-validator options of the body pipe, reproduced by the compiled validator: whitelist
 * (strip what has no rule), forbidUnknownValues (a class without rules is never compiled), and
 * errors without target or value.
 */
export const BODY_VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
} as const;

/**
 * The validators whose behaviour the corpus spec has compared with class-validator's. Each is
 * still run through its own registered constraint (the decorator stays the single source of
 * truth); a DTO using any other validator is left to ValidationPipe.
 */
const SUPPORTED_CONSTRAINTS: ReadonlySet<string> = new Set([
  'isPresent',
  'isString',
  'isNotEmpty',
  'maxLength',
  'isIn',
]);

/** Keys Nest strips from a body (stripProtoKeys) or class-transformer never copies. */
const UNCOPIED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The metatypes ValidationPipe passes through unvalidated (its `toValidate`). */
const NOT_VALIDATED_TYPES: readonly unknown[] = [
  String,
  Boolean,
  Number,
  Array,
  Object,
  Buffer,
  Date,
];

/** Returned for one body the compiled validator does not take: validate it with ValidationPipe. */
export const USE_VALIDATION_PIPE: unique symbol = Symbol('useValidationPipe');

/** The errors class-validator would have returned, for the pipe's exception factory. */
export class BodyValidationFailure {
  constructor(readonly errors: ValidationError[]) {}
}

export type CompiledBodyValidator = (
  body: object,
) => object | BodyValidationFailure | typeof USE_VALIDATION_PIPE;

export interface CompiledBody {
  readonly validate: CompiledBodyValidator;
  /** The body keys the DTO reads, in class-transformer's order. */
  readonly exposedKeys: readonly string[];
}

export type BodyValidatorCompilation = CompiledBody | { readonly unsupported: string };

interface ExposedKey {
  readonly key: string;
  readonly transforms: readonly TransformFn[];
}

interface ConstraintCheck {
  readonly metadata: ValidationMetadata;
  /** The constraint's error key: its name, as class-validator's `getConstraintType`. */
  readonly type: string;
  readonly validator: ValidatorConstraintInterface;
}

interface RuleCheck {
  readonly validateIf: Condition | undefined;
  readonly constraints: readonly ConstraintCheck[];
}

interface PropertyPlan {
  readonly property: string;
  readonly conditions: readonly Condition[];
  readonly rules: readonly RuleCheck[];
}

class Unsupported extends Error {}

/**
 * Compiles, from the class-transformer and class-validator metadata of a DTO class, a plain
 * function doing what ValidationPipe does with the options above: copy the `@Expose()`d keys of
 * the body into a new instance (defaults kept, `@Transform()` functions called with the arguments
 * class-transformer passes), strip what has no rule, run each rule's registered validator in
 * class-validator's order and build its message the way class-validator does.
 *
 * Anything it does not reproduce (other validators, groups, nested or `each` rules, `@Type`,
 * renamed or excluded keys, accessors) makes the class unsupported; a body whose exposed value is
 * an object (class-transformer deep-copies those) is handed back with USE_VALIDATION_PIPE.
 */
export function compileBodyValidator(metatype: unknown): BodyValidatorCompilation {
  try {
    return compile(metatype);
  } catch (error) {
    // A class whose constructor throws, say, fails on ValidationPipe's path as it always did.
    return { unsupported: error instanceof Error ? error.message : String(error) };
  }
}

function compile(metatype: unknown): CompiledBody {
  if (typeof metatype !== 'function' || NOT_VALIDATED_TYPES.includes(metatype)) {
    throw new Unsupported('not a DTO class');
  }
  const cls = metatype as ClassType;
  const probe = new cls();
  if (Array.isArray(probe)) throw new Unsupported('the class builds an array');
  const keys = compileExposedKeys(cls, probe);
  const validation = compileValidation(cls);

  const transformOptions: ClassTransformOptions = { ...defaultOptions, ...BODY_TRANSFORM_OPTIONS };
  const exposeUnsetFields = transformOptions.exposeUnsetFields === true;
  const stripsKeys = [...Object.keys(probe), ...keys.map(({ key }) => key)].some(
    (key) => !hasRules(validation.grouped, key),
  );

  const validate: CompiledBodyValidator = (body) => {
    // Only plain JSON objects: class instances, binary values and the like take Nest's path.
    const proto: unknown = Object.getPrototypeOf(body);
    if (proto !== Object.prototype && proto !== null) return USE_VALIDATION_PIPE;
    const source = body as Record<string, unknown>;
    for (const { key } of keys) {
      const value = source[key];
      if (typeof value === 'object' ? value !== null : typeof value === 'function') {
        return USE_VALIDATION_PIPE;
      }
    }

    // plainToInstance(cls, body, transformOptions)
    const dto = new cls() as Record<string, unknown>;
    let options: ClassTransformOptions | undefined;
    for (const { key, transforms } of keys) {
      let value = source[key];
      if (value === undefined) {
        value = dto[key];
      } else if (transforms.length > 0) {
        // One options object per transformation, as each plainToInstance call makes its own.
        options ??= { ...transformOptions };
        for (const transform of transforms) {
          value = transform({
            value,
            key,
            obj: body,
            type: TransformationType.PLAIN_TO_CLASS,
            options,
          });
        }
      }
      if (value !== undefined || exposeUnsetFields) dto[key] = value;
    }

    // validate(dto, BODY_VALIDATOR_OPTIONS): whitelist first, then each property's rules.
    if (stripsKeys) {
      for (const key of Object.keys(dto)) {
        if (!hasRules(validation.grouped, key)) delete dto[key];
      }
    }
    const targetName = (dto.constructor as { name?: string } | undefined)?.name;
    let errors: ValidationError[] | undefined;
    for (const { property, conditions, rules } of validation.plans) {
      const value = dto[property];
      // class-validator calls every condition, then requires all of them to be truthy.
      let validated = true;
      for (const condition of conditions) {
        if (!condition(dto, value)) validated = false;
      }
      if (!validated) continue;
      let constraints: Record<string, string> | undefined;
      for (const { validateIf, constraints: checks } of rules) {
        if (validateIf !== undefined && !validateIf(dto, value)) continue;
        for (const { metadata, type, validator } of checks) {
          const valid = validator.validate(
            value,
            validationArguments(metadata, dto, value, targetName),
          );
          // An unexpected asynchronous answer: ValidationPipe awaits it.
          if (isPromise(valid)) return USE_VALIDATION_PIPE;
          if (!valid) {
            constraints ??= {};
            constraints[type] = message(metadata, validator, dto, value, targetName);
          }
        }
      }
      if (constraints !== undefined) {
        const error = new ValidationError();
        error.property = property;
        error.children = [];
        error.constraints = constraints;
        (errors ??= []).push(error);
      }
    }
    return errors === undefined ? dto : new BodyValidationFailure(errors);
  };
  return { validate, exposedKeys: keys.map(({ key }) => key) };
}

/** class-transformer's keys for plainToInstance with excludeExtraneousValues, or Unsupported. */
function compileExposedKeys(cls: ClassType, probe: object): ExposedKey[] {
  const storage = defaultMetadataStorage;
  const toClass = TransformationType.PLAIN_TO_CLASS;
  if (storage.getStrategy(cls) !== 'none') throw new Unsupported('class-level @Expose/@Exclude');
  if (storage.getExcludedProperties(cls, toClass).length > 0) throw new Unsupported('@Exclude');
  for (const { options } of storage.getExposedMetadatas(cls)) {
    if (options?.name !== undefined) throw new Unsupported('@Expose with a name');
    if (options?.groups?.length || options?.since !== undefined || options?.until !== undefined) {
      throw new Unsupported('@Expose with groups or versions');
    }
  }
  const keys = [...new Set(storage.getExposedProperties(cls, toClass))];
  if (keys.length === 0) throw new Unsupported('no @Expose()d property');
  return keys.map((key) => {
    if (UNCOPIED_KEYS.has(key)) throw new Unsupported(`exposed key ${key}`);
    // class-transformer skips a key the prototype defines without a setter, and calls a setter.
    if (key in cls.prototype) throw new Unsupported(`${key} is defined on the prototype`);
    if (typeof (probe as Record<string, unknown>)[key] === 'function') {
      throw new Unsupported(`${key} defaults to a function`);
    }
    if (storage.findTypeMetadata(cls, key) !== undefined) throw new Unsupported(`@Type on ${key}`);
    const transforms = storage.findTransformMetadatas(cls, key, toClass);
    if (
      transforms.some(
        ({ options }) =>
          options?.groups?.length || options?.since !== undefined || options?.until !== undefined,
      )
    ) {
      throw new Unsupported(`@Transform with groups or versions on ${key}`);
    }
    return { key, transforms: transforms.map(({ transformFn }) => transformFn) };
  });
}

/** class-validator's rules for `validate(instance)` without groups, or Unsupported. */
function compileValidation(cls: ClassType): {
  grouped: Record<string, ValidationMetadata[]>;
  plans: PropertyPlan[];
} {
  const storage = getMetadataStorage();
  // As ValidationExecutor asks: no schema, always and strictGroups false, no groups.
  const metadatas = storage.getTargetValidationMetadatas(
    cls,
    undefined as unknown as string,
    false,
    false,
    undefined,
  );
  if (metadatas.length === 0) throw new Unsupported('no validation rule');
  const grouped = storage.groupByPropertyName(metadatas);
  const plans = Object.keys(grouped).map((property): PropertyPlan => {
    const conditions: Condition[] = [];
    const rules: RuleCheck[] = [];
    for (const metadata of grouped[property]) {
      if (metadata.groups?.length || metadata.always !== undefined) {
        throw new Unsupported(`groups on ${property}`);
      }
      if (metadata.each) throw new Unsupported(`each on ${property}`);
      switch (metadata.type) {
        case ValidationTypes.WHITELIST:
          break;
        case ValidationTypes.CONDITIONAL_VALIDATION:
          conditions.push(metadata.constraints[0] as Condition);
          break;
        case ValidationTypes.CUSTOM_VALIDATION:
          rules.push(compileRule(storage, metadata));
          break;
        default:
          throw new Unsupported(`${metadata.type} on ${property}`);
      }
    }
    return { property, conditions, rules };
  });
  return { grouped, plans };
}

function compileRule(storage: MetadataStorage, metadata: ValidationMetadata): RuleCheck {
  const registered = storage.getTargetValidatorConstraints(metadata.constraintCls);
  if (registered.length === 0)
    throw new Unsupported(`unregistered validator on ${metadata.propertyName}`);
  const constraints = registered.map((constraint): ConstraintCheck => {
    if (!SUPPORTED_CONSTRAINTS.has(constraint.name) || constraint.async) {
      throw new Unsupported(`validator ${constraint.name || metadata.type}`);
    }
    return { metadata, type: constraint.name, validator: constraint.instance };
  });
  return { validateIf: metadata.validateIf, constraints };
}

/** What class-validator's whitelist keeps: a key with at least one rule. */
function hasRules(grouped: Record<string, ValidationMetadata[]>, key: string): boolean {
  const rules = grouped[key];
  return !(!rules || rules.length === 0);
}

function validationArguments(
  metadata: ValidationMetadata,
  object: object,
  value: unknown,
  targetName: string | undefined,
): ValidationArguments {
  return {
    targetName: targetName as string,
    property: metadata.propertyName,
    object,
    value,
    constraints: metadata.constraints,
  };
}

/** class-validator's `createValidationError` message, token replacement included. */
function message(
  metadata: ValidationMetadata,
  validator: ValidatorConstraintInterface,
  object: object,
  value: unknown,
  targetName: string | undefined,
): string {
  const args = validationArguments(metadata, object, value, targetName);
  let text = metadata.message || '';
  if (!metadata.message && validator.defaultMessage instanceof Function) {
    text = validator.defaultMessage(args);
  }
  return ValidationUtils.replaceMessageSpecialTokens(text, args);
}

function isPromise(value: unknown): value is Promise<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
