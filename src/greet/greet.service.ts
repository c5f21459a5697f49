import { Injectable } from '@nestjs/common';
import { GreetRequestDto } from './dto/greet-request.dto';
import { GreetResponseDto } from './dto/greet-response.dto';
import { LanguagesResponseDto } from './dto/languages-response.dto';
import { GREETINGS, LANGUAGE_CODES } from './languages';

@Injectable()
export class GreetService {
  private readonly languages: LanguagesResponseDto = {
    languages: LANGUAGE_CODES.map((code) => ({ code, greeting: GREETINGS[code] })),
  };

  greet({ name, lang }: GreetRequestDto, now: Date = new Date()): GreetResponseDto {
    return { greeting: `${GREETINGS[lang]}, ${name}!`, timestamp: now.toISOString() };
  }

  listLanguages(): LanguagesResponseDto {
    return this.languages;
  }
}
