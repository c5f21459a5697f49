import { Injectable } from '@nestjs/common';
import { DEFAULT_LANG, GreetResponse, greet } from '../shared/greeting';
import { GreetRequestDto } from './greet-request.dto';

@Injectable()
export class GreetService {
  greet({ name, lang }: GreetRequestDto): GreetResponse {
    return greet({ name, lang: lang ?? DEFAULT_LANG });
  }
}
