import { useEffect, useMemo, useState } from 'react';
import { api, client } from './api';
import { LiveHub } from './api/live';
import { Layout } from './components/Layout';
import { ErrorBox, Loading } from './components/Status';
import { LiveContext } from './hooks/useLive';
import { useRoute } from './hooks/useRoute';
import { useStore } from './hooks/useStore';
import { ClusterPage } from './pages/ClusterPage';
import { ClustersPage } from './pages/ClustersPage';
import { DashboardPage } from './pages/DashboardPage';
import { JobPage } from './pages/JobPage';
import { JobsPage } from './pages/JobsPage';
import { LaunchPage } from './pages/LaunchPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ProjectPage } from './pages/ProjectPage';
import { SignInPage } from './pages/SignInPage';
import { signInNeeded, waitForSignIn } from './state/auth';
import { connection, setLiveStatus, setReachable } from './state/connection';
import type { ApiError } from './api/client';
import { backoffDelay } from './lib/backoff';

function Page() {
  const route = useRoute();
  switch (route.name) {
    case 'dashboard':
      return <DashboardPage />;
    case 'project':
      return <ProjectPage key={route.id} id={route.id} />;
    case 'launch':
      return <LaunchPage key={route.id} id={route.id} />;
    case 'jobs':
      return <JobsPage />;
    case 'job':
      return <JobPage key={route.id} id={route.id} />;
    case 'clusters':
      return <ClustersPage />;
    case 'cluster':
      return <ClusterPage key={route.name_} name={route.name_} />;
    default:
      return <NotFoundPage path={route.path} />;
  }
}

export function App() {
  const hub = useMemo(() => new LiveHub(setLiveStatus), []);
  const needSignIn = useStore(signInNeeded);
  const [authRequired, setAuthRequired] = useState(false);
  const [checked, setChecked] = useState(false);
  const [sessionError, setSessionError] = useState<ApiError | null>(null);

  useEffect(() => {
    client.setUnauthorizedHandler(waitForSignIn);
    client.setReachableHandler((reachable) => {
      const wasReachable = connection.get().reachable;
      setReachable(reachable);
      // Back after an outage: whatever is on screen may be stale.
      if (reachable && !wasReachable) hub.reconnected();
    });
    return () => {
      client.setUnauthorizedHandler(undefined);
      client.setReachableHandler(undefined);
    };
  }, [hub]);

  // Ask whether sign-in is needed before anything else, retrying while the server is away.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;
    const check = () => {
      api.session.get().then(
        (session) => {
          if (stopped) return;
          setAuthRequired(session.auth_required);
          if (session.auth_required && !session.signed_in) signInNeeded.set(true);
          setSessionError(null);
          setChecked(true);
        },
        (error: ApiError) => {
          if (stopped) return;
          setSessionError(error);
          timer = setTimeout(check, backoffDelay(attempt++));
        },
      );
    };
    check();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, []);

  useEffect(() => {
    if (!checked || needSignIn) return;
    hub.start();
    return () => hub.stop();
  }, [checked, needSignIn, hub]);

  if (needSignIn) return <SignInPage />;
  if (!checked) {
    return (
      <Layout>
        {sessionError ? <ErrorBox error={`${sessionError.message} Retrying…`} testId="session-error" /> : <Loading what="Connecting" />}
      </Layout>
    );
  }
  const signOut = authRequired
    ? async () => {
        await api.session.signOut().catch(() => undefined);
        signInNeeded.set(true);
      }
    : undefined;
  return (
    <LiveContext.Provider value={hub}>
      <Layout onSignOut={signOut}>
        <Page />
      </Layout>
    </LiveContext.Provider>
  );
}
