import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BarChart } from "@/components/public/bar-chart";
import { DomainError } from "@/lib/domain/errors";
import { publicStats } from "@/lib/server/services/public/stats";

export const metadata: Metadata = { title: "Statistics" };

export default async function PublicStatsPage({ params }: { params: Promise<{ project: string }> }) {
  const { project: slug } = await params;
  const stats = await publicStats(slug).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const killedLow = stats.months.reduce((sum, m) => sum + m.killedMin, 0);
  const killedHigh = stats.months.reduce((sum, m) => sum + m.killedMax, 0);
  return (
    <>
      <h1>Statistics</h1>
      <p className="lede">From published incidents only. Casualty figures are ranges: the lower bar is the sum of low estimates, the lighter bar reaches the sum of high estimates.</p>
      <ul className="stats">
        <li><strong>{stats.total}</strong> incidents</li>
        <li><strong>{killedLow === killedHigh ? killedLow : `${killedLow}–${killedHigh}`}</strong> killed (dated incidents)</li>
        {stats.undated > 0 ? <li><strong>{stats.undated}</strong> without a date</li> : null}
      </ul>
      <div className="public-charts">
        <BarChart title="Incidents per month" unit="incidents" data={stats.months.map((m) => ({ label: m.month, value: m.incidents }))} />
        <BarChart title="Killed per month" unit="killed" rangeNote="(low–high estimates)" data={stats.months.map((m) => ({ label: m.month, value: m.killedMax, low: m.killedMin }))} />
        <BarChart title="Injured per month" unit="injured" rangeNote="(low–high estimates)" data={stats.months.map((m) => ({ label: m.month, value: m.injuredMax, low: m.injuredMin }))} />
        <BarChart title="Incidents per province" unit="incidents" data={stats.provinces.map((p) => ({ label: p.province, value: p.incidents }))} />
      </div>
    </>
  );
}
