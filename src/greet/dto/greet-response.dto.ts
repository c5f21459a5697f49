export class GreetResponseDto {
  /** e.g. `Hola, Alice!` */
  readonly greeting!: string;
  /** ISO-8601 UTC instant, e.g. `2026-11-25T21:13:30.123Z` */
  readonly timestamp!: string;
}
