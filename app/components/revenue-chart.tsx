import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** Money received per day, as bars: quicker to read than a column of numbers. */
export function RevenueChart({ data }: { data: Array<{ day: string; shillings: number; count: number }> }) {
  const label = (day: string) => new Date(`${day}T12:00:00Z`).toLocaleDateString("en-KE", { day: "numeric", month: "short" });
  return (
    <div className="h-56 w-full" role="img" aria-label={`Money received per day over the last ${data.length} days`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tickFormatter={label} tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} interval="preserveStartEnd" />
          <YAxis tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} width={56} tickFormatter={(v: number) => (v >= 1000 ? `${Math.round(v / 100) / 10}k` : String(v))} />
          <Tooltip
            cursor={{ fill: "#ecfdf5" }}
            formatter={(v) => [`KES ${Number(v).toLocaleString("en-KE")}`, "Received"]}
            labelFormatter={(d) => label(String(d))}
          />
          <Bar dataKey="shillings" fill="#059669" radius={[4, 4, 0, 0]} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
