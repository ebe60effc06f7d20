import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { NODE_MICROSERVICES } from '@tmis/server';
import {
  FEDERATION_NODE_TOKENS,
  FederationController,
  FederationNationalController,
  FederationNodeGuard,
} from './federation.controller.js';
import { FederationHandlers } from './federation.handlers.js';
import { federationKafkaController, FederationKafkaInbox, federationMicroservice } from './federation-kafka.inbound.js';
import { FederationMessenger } from './federation.messenger.js';
import {
  FederationPlace,
  NationalPlace,
  ProvincialPlace,
  type NationalFederationOptions,
  type ProvincialFederationOptions,
} from './federation.options.js';
import { FederationReceiver } from './federation.receiver.js';
import { FederationRelay } from './federation.relay.js';
import { FederationRepository } from './federation.repository.js';
import { FederationService } from './federation.service.js';

/**
 * The federation messenger (ADR 0013): `FederationMessenger.send` (outbox in the caller's transaction),
 * the relay, and the receiver with its inbox, dispatching to the `@OnFederationMessage` handlers of any
 * module. Each app composes its side: the national node (`forNational`: serves the provinces' HTTP push
 * and pull with their node tokens) or a province (`forProvince`). With Kafka the node consumes per
 * message through a `@nestjs/microservices` Kafka server; without, a province pushes and pulls over HTTP.
 */
@Module({})
export class FederationModule {
  static forNational(options: NationalFederationOptions): DynamicModule {
    return FederationModule.compose(
      new NationalPlace(options),
      [FederationController, FederationNationalController],
      [{ provide: FEDERATION_NODE_TOKENS, useValue: options.nodeTokens ?? {} }, FederationNodeGuard],
    );
  }

  static forProvince(options: ProvincialFederationOptions): DynamicModule {
    return FederationModule.compose(new ProvincialPlace(options), [FederationController], []);
  }

  private static compose(place: FederationPlace, controllers: Type[], side: Provider[]): DynamicModule {
    const kafka = !!place.kafka?.brokers.length;
    return {
      module: FederationModule,
      global: true,
      imports: [DiscoveryModule],
      controllers: kafka ? [...controllers, federationKafkaController(place.inboundTopics())] : controllers,
      providers: [
        { provide: FederationPlace, useValue: place },
        { provide: NODE_MICROSERVICES, useValue: kafka ? [federationMicroservice(place)] : [] },
        FederationRepository,
        FederationHandlers,
        FederationMessenger,
        FederationReceiver,
        FederationRelay,
        FederationService,
        FederationKafkaInbox,
        ...side,
      ],
      exports: [FederationMessenger, FederationHandlers, FederationReceiver, FederationRelay, NODE_MICROSERVICES],
    };
  }
}
