import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { LANGS, Lang, NAME_MAX_LENGTH } from '../shared/greeting';

const trimIfString = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class GreetRequestDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX_LENGTH)
  @Transform(trimIfString)
  readonly name!: string;

  @IsOptional()
  @IsIn(LANGS)
  readonly lang?: Lang;
}
