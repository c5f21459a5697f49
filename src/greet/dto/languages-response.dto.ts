import { ApiProperty } from '@nestjs/swagger';

export class LanguageDto {
  @ApiProperty({ example: 'es' })
  readonly code!: string;

  @ApiProperty({ example: 'Hola' })
  readonly greeting!: string;
}

export class LanguagesResponseDto {
  @ApiProperty({ type: [LanguageDto] })
  readonly languages!: LanguageDto[];
}
