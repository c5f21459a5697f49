import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Post,
  UseGuards,
} from '@nestjs/common';
import { CorsPolicy } from 'nest-strict-cors';
import { RequireJsonGuard } from '../common/guards/require-json.guard';
import { GreetRequestDto } from './dto/greet-request.dto';
import { GreetResponseDto } from './dto/greet-response.dto';
import { LanguagesResponseDto } from './dto/languages-response.dto';
import { GreetService } from './greet.service';

@Controller('greet')
export class GreetController {
  constructor(private readonly greetService: GreetService) {}

  /** 200 rather than Nest's default 201: a greeting is computed, nothing is created. */
  @Post()
  @HttpCode(HttpStatus.OK)
  @UseGuards(RequireJsonGuard)
  greet(@Body() request: GreetRequestDto): GreetResponseDto {
    return this.greetService.greet(request);
  }

  /**
   * Public reference data: any origin may read it, without credentials, and caches may keep it
   * for five minutes (the response is the same for every origin: `*` is always sent).
   */
  @CorsPolicy({ origins: '*' })
  @Header('Cache-Control', 'public, max-age=300')
  @Get('languages')
  languages(): LanguagesResponseDto {
    return this.greetService.listLanguages();
  }
}
