import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, approver, openWorld, seededProject, type CreditsWorld } from './credits-helpers.js';

describe('channel subscriptions', () => {
  let world: CreditsWorld;
  beforeAll(async () => {
    world = await openWorld();
    await seededProject(world, 'north');
    await seededProject(world, 'south');
  });
  afterAll(async () => world?.close());

  it('subscribes a channel to all topics by default, replaces topics on a second subscribe, and lists subscribers per topic', async () => {
    const all = await world.engine.subscribe(admin, { project: 'north', channelKey: 'slack:TC:ops', topics: [] });
    expect(all).toMatchObject({ channelKey: 'slack:TC:ops', projectName: 'north', topics: ['progress', 'health', 'credits'] });
    await world.engine.subscribe(admin, { project: 'south', channelKey: 'slack:TC:ops', topics: ['credits'] });
    await world.engine.subscribe(admin, { project: 'south', channelKey: 'slack:TC:finance', topics: ['credits'] });
    const north = (await world.engine.getProject(admin, 'north')).id;
    const south = (await world.engine.getProject(admin, 'south')).id;
    expect((await world.engine.subscribers({ orgId: 'slack:TC', topic: 'progress', projectId: north })).map((s) => s.channelKey)).toEqual(['slack:TC:ops']);
    expect(await world.engine.subscribers({ orgId: 'slack:TC', topic: 'progress', projectId: south })).toEqual([]);
    // Credits are the org's: any project's credits subscription counts, each channel once.
    expect((await world.engine.subscribers({ orgId: 'slack:TC', topic: 'credits' })).map((s) => s.channelKey)).toEqual(['slack:TC:finance', 'slack:TC:ops']);
    expect(await world.engine.subscribers({ orgId: 'slack:OTHER', topic: 'credits' })).toEqual([]);

    const narrowed = await world.engine.subscribe(admin, { project: 'north', channelKey: 'slack:TC:ops', topics: ['health'] });
    expect(narrowed.topics).toEqual(['health']);
    expect(await world.engine.subscribers({ orgId: 'slack:TC', topic: 'progress', projectId: north })).toEqual([]);
  });

  it('refuses unknown topics and non-admins, and unsubscribes', async () => {
    await expect(world.engine.subscribe(admin, { project: 'north', channelKey: 'c', topics: ['gossip' as never] })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(world.engine.subscribe(approver, { project: 'north', channelKey: 'c', topics: [] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await world.engine.unsubscribe(admin, { project: 'north', channelKey: 'slack:TC:ops' });
    await expect(world.engine.unsubscribe(admin, { project: 'north', channelKey: 'slack:TC:ops' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const north = (await world.engine.getProject(admin, 'north')).id;
    expect(await world.engine.subscribers({ orgId: 'slack:TC', topic: 'health', projectId: north })).toEqual([]);
  });
});
