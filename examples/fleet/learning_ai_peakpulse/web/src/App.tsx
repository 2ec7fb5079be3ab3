import { useEffect, useState } from 'react';
import type { DailyPeak } from '../../shared/types';

export function App() {
  const [peaks, setPeaks] = useState<DailyPeak[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetch('/pulses/peaks')
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then(setPeaks)
      .catch((e: Error) => setError(e.message));
  }, []);

  if (error) return <p role="alert">Could not load peaks: {error}</p>;
  return (
    <main>
      <h1>PeakPulse</h1>
      <table>
        <thead>
          <tr><th>Day</th><th>Peak</th><th>Pulses</th></tr>
        </thead>
        <tbody>
          {peaks.map((p) => (
            <tr key={p.day}><td>{p.day}</td><td>{p.peak}</td><td>{p.count}</td></tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
