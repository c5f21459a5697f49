export class LanguageDto {
  readonly code!: string;
  readonly greeting!: string;
}

export class LanguagesResponseDto {
  readonly languages!: LanguageDto[];
}
