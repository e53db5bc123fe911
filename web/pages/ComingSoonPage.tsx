interface ComingSoonPageProps {
  title: string
  what: string
  notFound?: boolean
}

/** Pages whose features are not built yet say so plainly; they never show made-up data. */
export function ComingSoonPage({ title, what, notFound }: ComingSoonPageProps) {
  return (
    <div className="page">
      <h1>{title}</h1>
      <div className="panel coming-soon">
        <p className="coming-soon-lead">{notFound ? what : 'Coming with the marketing features.'}</p>
        {!notFound && <p className="muted">{what}</p>}
      </div>
    </div>
  )
}
