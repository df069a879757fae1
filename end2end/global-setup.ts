import { request, type FullConfig } from '@playwright/test';
import { ROLES, email, password, stateFile } from './tests/accounts';

// Signs in through the real form post once per role and keeps the session
// cookie for the tests (`test.use({ storageState: stateFile(role) })`).
export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0].use.baseURL as string;
  for (const role of ROLES) {
    const context = await request.newContext({ baseURL });
    const answer = await context.post('/login', {
      form: { email: email(role), password: password(role), next: '/' },
      headers: { origin: baseURL },
      maxRedirects: 0,
    });
    if (answer.status() !== 303 || !(answer.headers()['set-cookie'] ?? '').includes('bouncedesk_session=')) {
      throw new Error(`signing in as ${role} failed: ${answer.status()} ${answer.headers()['location']}`);
    }
    await context.storageState({ path: stateFile(role) });
    await context.dispose();
  }
}
