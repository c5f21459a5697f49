import { Expose, Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsString, MaxLength, ValidateBy, ValidateIf } from 'class-validator';
import { ErrorMessages } from '../../common/error-messages';
import { DEFAULT_LANGUAGE, LANGUAGE_CODES, LanguageCode } from '../languages';

export const NAME_MAX_LENGTH = 100;

const trimIfString = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;
const lowercaseIfString = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value;

/**
 * Present means "the key is in the body": `null` counts as present (and then fails as not a
 * string), unlike class-validator's IsDefined.
 */
const IsPresent = (message: string) =>
  ValidateBy(
    { name: 'isPresent', validator: { validate: (value) => value !== undefined } },
    { message },
  );

/**
 * `@Expose()` marks the only keys read from the body: the validation pipe transforms with
 * `excludeExtraneousValues`, so unknown fields are ignored without being walked or validated.
 */
export class GreetRequestDto {
  @Expose()
  @IsPresent(ErrorMessages.missingField('name'))
  @IsString({ message: ErrorMessages.fieldNotString('name') })
  @IsNotEmpty({ message: ErrorMessages.fieldEmpty('name') })
  @MaxLength(NAME_MAX_LENGTH, { message: ErrorMessages.fieldTooLong('name', NAME_MAX_LENGTH) })
  @Transform(trimIfString)
  readonly name!: string;

  @Expose()
  @ValidateIf((_object, value) => value !== undefined)
  @IsString({ message: ErrorMessages.fieldNotString('lang') })
  @IsIn(LANGUAGE_CODES, {
    message: ({ value }) => ErrorMessages.unsupportedLanguage(String(value)),
  })
  @Transform(lowercaseIfString)
  readonly lang: LanguageCode = DEFAULT_LANGUAGE;
}
