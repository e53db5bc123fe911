export default function InsightsPage() {
  return (
    <div className="page">
      <h1>Insights</h1>
    </div>
  )
}
