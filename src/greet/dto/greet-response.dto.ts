import { ApiProperty } from '@nestjs/swagger';

export class GreetResponseDto {
  @ApiProperty({ example: 'Hola, Alice!' })
  readonly greeting!: string;

  @ApiProperty({ example: '2026-11-25T21:13:30.123Z', description: 'ISO-8601 UTC instant' })
  readonly timestamp!: string;
}
