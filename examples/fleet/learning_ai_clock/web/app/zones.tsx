'use client';

import { useEffect, useState } from 'react';

interface Zone {
  tz: string;
  time: string;
}

export function Zones({ api }: { api: string }) {
  const [zones, setZones] = useState<Zone[]>([]);

  useEffect(() => {
    const load = () =>
      fetch(`${api}/zones`)
        .then((r) => r.json())
        .then(setZones)
        .catch(() => setZones([]));
    load();
    const id = setInterval(load, 1000);
    return () => clearInterval(id);
  }, [api]);

  return (
    <ul>
      {zones.map((z) => (
        <li key={z.tz}>
          <strong>{z.tz}</strong> {z.time}
        </li>
      ))}
    </ul>
  );
}
