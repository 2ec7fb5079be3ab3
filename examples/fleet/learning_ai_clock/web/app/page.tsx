import { Zones } from './zones';

const api = process.env.NEXT_PUBLIC_API_URL ?? 'http://localhost:4020';

export default function Home() {
  return (
    <main>
      <h1>{process.env.NEXT_PUBLIC_APP_NAME ?? 'Clock'}</h1>
      <Zones api={api} />
    </main>
  );
}
