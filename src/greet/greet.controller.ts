import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { CorsPolicy } from '../cors/cors-policy.decorator';
import { GreetRequestDto } from './dto/greet-request.dto';
import { GreetResponseDto } from './dto/greet-response.dto';
import { LanguagesResponseDto } from './dto/languages-response.dto';
import { GreetService } from './greet.service';

@ApiTags('greet')
@ApiForbiddenResponse({
  type: ErrorEnvelopeDto,
  description: 'Origin, method or header not allowed (CORS)',
})
@Controller('greet')
export class GreetController {
  constructor(private readonly greetService: GreetService) {}

  /** 200 rather than Nest's default 201: a greeting is computed, nothing is created. */
  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Greet someone in a supported language' })
  @ApiOkResponse({ type: GreetResponseDto })
  @ApiBadRequestResponse({
    type: ErrorEnvelopeDto,
    description: 'Missing, malformed or invalid body',
  })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorEnvelopeDto, description: 'Body is not JSON' })
  @ApiPayloadTooLargeResponse({ type: ErrorEnvelopeDto, description: 'Body over BODY_LIMIT' })
  greet(@Body() request: GreetRequestDto): GreetResponseDto {
    return this.greetService.greet(request);
  }

  /** Public reference data: any origin may read it, without credentials. */
  @CorsPolicy({ origins: '*' })
  @Get('languages')
  @ApiOperation({ summary: 'Supported languages (public: readable from any origin)' })
  @ApiOkResponse({ type: LanguagesResponseDto })
  languages(): LanguagesResponseDto {
    return this.greetService.listLanguages();
  }
}
