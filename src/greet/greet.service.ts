import { Injectable } from '@nestjs/common';
import { isoNow } from '../common/iso-time';
import { GreetRequestDto } from './dto/greet-request.dto';
import { GreetResponseDto } from './dto/greet-response.dto';
import { LanguagesResponseDto } from './dto/languages-response.dto';
import { GREETINGS, LANGUAGE_CODES } from './languages';

@Injectable()
export class GreetService {
  private readonly languages: LanguagesResponseDto = {
    languages: LANGUAGE_CODES.map((code) => ({ code, greeting: GREETINGS[code] })),
  };

  greet({ name, lang }: GreetRequestDto, now?: Date): GreetResponseDto {
    const timestamp = now === undefined ? isoNow() : now.toISOString();
    return { greeting: `${GREETINGS[lang]}, ${name}!`, timestamp };
  }

  listLanguages(): LanguagesResponseDto {
    return this.languages;
  }
}
