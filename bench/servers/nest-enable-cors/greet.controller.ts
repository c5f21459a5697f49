import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { GreetResponse } from '../shared/greeting';
import { GreetRequestDto } from './greet-request.dto';
import { GreetService } from './greet.service';

@Controller('greet')
export class GreetController {
  constructor(private readonly greetService: GreetService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  greet(@Body() request: GreetRequestDto): GreetResponse {
    return this.greetService.greet(request);
  }
}
