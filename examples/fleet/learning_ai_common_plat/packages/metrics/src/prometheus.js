function sanitize(name) {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_');
}

/** Render a registry snapshot in the Prometheus text exposition format. */
export function renderPrometheus(snapshot) {
  const lines = [];
  for (const metric of snapshot) {
    const name = sanitize(metric.name);
    if (metric.help) lines.push(`# HELP ${name} ${metric.help}`);
    lines.push(`# TYPE ${name} ${metric.type}`);
    if (metric.type === 'histogram') {
      metric.buckets.forEach((le, i) => {
        lines.push(`${name}_bucket{le="${le}"} ${metric.counts[i]}`);
      });
      lines.push(`${name}_bucket{le="+Inf"} ${metric.count}`);
      lines.push(`${name}_sum ${metric.sum}`);
      lines.push(`${name}_count ${metric.count}`);
    } else {
      lines.push(`${name} ${metric.value}`);
    }
  }
  return lines.join('\n') + '\n';
}
