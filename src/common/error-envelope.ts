import { ApiProperty } from '@nestjs/swagger';

/** The one JSON shape of every error response. */
export interface ErrorEnvelope {
  readonly statusCode: number;
  readonly error: string;
}

/** The envelope as documented in OpenAPI. */
export class ErrorEnvelopeDto implements ErrorEnvelope {
  @ApiProperty({ example: 400 })
  readonly statusCode!: number;

  @ApiProperty({
    example: "Missing required field: 'name'",
    description: 'Human-readable message; front ends display it',
  })
  readonly error!: string;
}
