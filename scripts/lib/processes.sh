# Sourced by the measurement scripts (soak.sh, peer-compare.sh): the built voicebridge.dll, the
# child processes they start (killed when the script exits), and waiting for a port to listen.
#
# needs: SCRIPT (the caller's name, for messages); VB_DLL may point at a built voicebridge.dll.

VB_DLL=${VB_DLL:-src/VoiceBridge.Cli/bin/Release/net10.0/voicebridge.dll}
if [ ! -f "$VB_DLL" ]; then
  dotnet build src/VoiceBridge.Cli -c Release >/dev/null
fi

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_for() { # PORT WHAT: until something accepts on 127.0.0.1:PORT (30 s at most)
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$SCRIPT: $2 did not start listening on 127.0.0.1:$1" >&2
  exit 1
}
