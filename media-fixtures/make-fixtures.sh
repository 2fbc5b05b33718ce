#!/usr/bin/env bash
# Generates the caller-side replay fixtures in media-fixtures/ (see README.md there).
#
#   bash media-fixtures/make-fixtures.sh
#
# Idempotent: installs espeak-ng / flite / sox only when missing, renders every
# fixture into a temp dir with sox in repeatable mode (-R), and replaces a file
# in media-fixtures/ only when its bytes changed. Running it twice in a row on
# the same machine leaves the work tree untouched.
#
# Every fixture has the same turn structure:
#   LEAD s silence | utt 1 | GAP s silence | utt 2 | GAP | utt 3 | GAP | utt 4 | TAIL s silence
# The GAP is where the agent would answer. Pauses inside one utterance are kept
# <= MAX_PAUSE s: sentences inside one utterance are synthesised separately and
# joined with SENTENCE_PAUSE s, and every utterance is checked afterwards.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

LEAD_S=0.5
GAP_S=2.5
TAIL_S=1.5
SENTENCE_PAUSE_S=0.18
MAX_PAUSE_S=0.30
PAUSE_CHECK_DBFS=-45     # a 10 ms frame quieter than this counts as "pause"
PEAK_DBFS=-3             # every utterance is peak-normalised to this
ESPEAK_WPM=175           # espeak-ng's default, i.e. a normal speaking rate
NOISE_SNR_DB=18          # target SNR of the noisy fixture (speech RMS / noise RMS)

APT_PACKAGES=(espeak-ng flite sox libsox-fmt-all)

log() { printf 'make-fixtures: %s\n' "$*"; }
die() { printf 'make-fixtures: ERROR: %s\n' "$*" >&2; exit 1; }

ensure_tools() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  local t
  for t in espeak-ng flite sox soxi awk; do
    command -v "$t" >/dev/null || die "$t not found"
  done
}

# sox in repeatable mode (fixed noise seed), no dither (silence stays digital zero), quiet.
sx() { sox -R -D -V1 "$@"; }

samples() { soxi -s "$1"; }
# RMS amplitude (0..1) of a file, all channels.
rms() { sox -V1 "$1" -n stat 2>&1 | awk '/^RMS +amplitude/ {print $3}'; }

# Longest pause (s) strictly inside the audio, measured on 10 ms frames at 8 kHz.
longest_inner_pause() {
  sox -V1 "$1" -r 8000 -c 1 -t dat - | awk -v th="$PAUSE_CHECK_DBFS" '
    /^;/ { next }
    { acc += $2 * $2; n++; if (n == 80) { fr[nf++] = sqrt(acc / 80); acc = 0; n = 0 } }
    END {
      lim = 10 ^ (th / 20); seen = 0; run = 0; best = 0
      for (i = 0; i < nf; i++) {
        if (fr[i] >= lim) { if (seen && run > best) best = run; seen = 1; run = 0 } else run++
      }
      printf "%.2f\n", best * 0.01
    }'
}

# silence FILE RATE CHANNELS SECONDS  (16-bit PCM)
make_silence() {
  sx -r "$2" -c "$3" -b 16 -e signed-integer -n "$1" trim 0 "$4"
}

# synth ENGINE VOICE TEXT OUT RATE -> 16-bit mono PCM at RATE, edges trimmed,
# peak-normalised; sentences inside TEXT joined with SENTENCE_PAUSE_S.
synth_utterance() {
  local engine=$1 voice=$2 text=$3 out=$4 rate=$5
  local dir; dir=$(mktemp -d "$WORK/utt.XXXX")
  local -a parts=() sentences=()
  # Split after ". ", "? " or "! " (keeps the punctuation with its sentence).
  mapfile -t sentences < <(printf '%s\n' "$text" | sed -E 's/([.?!]) +/\1\n/g')
  local i=0 s raw
  for s in "${sentences[@]}"; do
    [[ -n $s ]] || continue
    raw="$dir/raw$i.wav"
    case $engine in
      espeak-ng) espeak-ng -v "$voice" -s "$ESPEAK_WPM" -w "$raw" "$s" ;;
      flite)     flite -voice "$voice" -t "$s" -o "$raw" ;;
      *) die "unknown engine $engine" ;;
    esac
    # trim leading + trailing silence, resample, 16-bit mono
    sx "$raw" -r "$rate" -c 1 -b 16 -e signed-integer "$dir/s$i.wav" \
      silence 1 0.01 -50d reverse silence 1 0.01 -50d reverse
    if ((i > 0)); then
      make_silence "$dir/p$i.wav" "$rate" 1 "$SENTENCE_PAUSE_S"
      parts+=("$dir/p$i.wav")
    fi
    parts+=("$dir/s$i.wav")
    i=$((i + 1))
  done
  ((${#parts[@]})) || die "empty utterance"
  if ((${#parts[@]} == 1)); then
    sx "${parts[0]}" "$out" gain -n "$PEAK_DBFS"
  else
    sx "${parts[@]}" "$out" gain -n "$PEAK_DBFS"
  fi
  local pause; pause=$(longest_inner_pause "$out")
  awk -v p="$pause" -v m="$MAX_PAUSE_S" 'BEGIN { exit !(p <= m) }' \
    || die "pause of ${pause}s inside \"$text\" (max ${MAX_PAUSE_S}s)"
}

json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
secs() { awk -v n="$1" -v r="$2" 'BEGIN { printf "%.3f", n / r }'; }

MANIFEST_ENTRIES=()

# build NAME ENGINE VOICE GENDER RATE CHANNELS ENCODING NOISE(yes|no) EXERCISES(json array) UTTERANCES...
build() {
  local name=$1 engine=$2 voice=$3 gender=$4 rate=$5 channels=$6 encoding=$7 noise=$8 exercises=$9
  shift 9
  local -a utts=("$@")
  log "rendering $name.wav (${#utts[@]} utterances, $engine $voice)"

  local dir="$WORK/$name"; mkdir -p "$dir"
  make_silence "$dir/lead.wav" "$rate" 1 "$LEAD_S"
  make_silence "$dir/gap.wav"  "$rate" 1 "$GAP_S"
  make_silence "$dir/tail.wav" "$rate" 1 "$TAIL_S"

  local -a seq=("$dir/lead.wav") speech=() timings=()
  local pos; pos=$(samples "$dir/lead.wav")
  local i n
  for i in "${!utts[@]}"; do
    synth_utterance "$engine" "$voice" "${utts[$i]}" "$dir/u$i.wav" "$rate"
    n=$(samples "$dir/u$i.wav")
    timings+=("{\"text\": $(json_str "${utts[$i]}"), \"start_s\": $(secs "$pos" "$rate"), \"end_s\": $(secs $((pos + n)) "$rate")}")
    seq+=("$dir/u$i.wav"); speech+=("$dir/u$i.wav")
    pos=$((pos + n))
    if ((i < ${#utts[@]} - 1)); then
      seq+=("$dir/gap.wav"); pos=$((pos + $(samples "$dir/gap.wav")))
    fi
  done
  seq+=("$dir/tail.wav")
  sx "${seq[@]}" "$dir/clean.wav"

  local mixed="$dir/clean.wav" snr_json="null" noise_json="false"
  if [[ $noise == yes ]]; then
    # Pink noise at a level giving NOISE_SNR_DB against the speech-only RMS.
    sx "${speech[@]}" "$dir/speech-only.wav"
    local len speech_rms noise_rms gain_db
    len=$(samples "$dir/clean.wav")
    speech_rms=$(rms "$dir/speech-only.wav")
    sx -r "$rate" -c 1 -b 16 -e signed-integer -n "$dir/noise-raw.wav" synth "${len}s" pinknoise vol 0.5
    noise_rms=$(rms "$dir/noise-raw.wav")
    gain_db=$(awk -v s="$speech_rms" -v n="$noise_rms" -v t="$NOISE_SNR_DB" \
      'BEGIN { printf "%.2f", 20 * log(s / n) / log(10) - t }')
    sx "$dir/noise-raw.wav" "$dir/noise.wav" gain "$gain_db"
    sx -m -v 1 "$dir/clean.wav" -v 1 "$dir/noise.wav" "$dir/mixed.wav"
    snr_json=$(awk -v s="$speech_rms" -v n="$(rms "$dir/noise.wav")" \
      'BEGIN { printf "%.1f", 20 * log(s / n) / log(10) }')
    noise_json="true"
    mixed="$dir/mixed.wav"
    log "  noise: pink, measured SNR ${snr_json} dB"
  fi

  local -a enc
  case $encoding in
    u-law) enc=(-e u-law -b 8) ;;
    pcm16) enc=(-e signed-integer -b 16) ;;
    *) die "unknown encoding $encoding" ;;
  esac
  # -c N on a mono input duplicates it: the same signal on every channel.
  sx "$mixed" -r "$rate" -c "$channels" "${enc[@]}" "$OUT/$name.wav"
  printf '%s\n' "${utts[@]}" > "$OUT/$name.txt"

  local dur; dur=$(secs "$(samples "$OUT/$name.wav")" "$rate")
  local enc_name bits
  if [[ $encoding == u-law ]]; then enc_name="mu-law"; bits=8; else enc_name="pcm_s16le"; bits=16; fi
  local joined; joined=$(printf '        %s,\n' "${timings[@]}"); joined=${joined%,}
  MANIFEST_ENTRIES+=("$(cat <<EOF
    {
      "file": "$name.wav",
      "transcript": "$name.txt",
      "format": {"container": "wav", "encoding": "$enc_name", "bits_per_sample": $bits, "sample_rate_hz": $rate, "channels": $channels},
      "duration_s": $dur,
      "voice": {"engine": "$engine", "voice": "$voice", "gender": "$gender"},
      "noise": {"present": $noise_json, "type": $([[ $noise == yes ]] && echo '"pink"' || echo null), "snr_db": $snr_json},
      "utterance_count": ${#utts[@]},
      "utterances": [
$joined
      ],
      "exercises": $exercises
    }
EOF
)")
}

ensure_tools
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/out"; mkdir -p "$OUT"

build booking-ulaw8k espeak-ng en-us male 8000 1 u-law no \
  '["mu-law passthrough (8 kHz G.711, as Twilio Media Streams sends it)", "turn-taking / endpointing over 4 caller turns", "booking flow"]' \
  "Hello, I would like to book an appointment." \
  "Tomorrow afternoon, if possible." \
  "My name is Maria Lopez." \
  "Yes, that works for me. Thank you."

build hours-pcm16k flite slt female 16000 1 pcm16 no \
  '["resampling 16k (16 kHz PCM16 in, 8 kHz mu-law / 24 kHz PCM16 out)", "different TTS engine and female voice for STT robustness", "opening-hours question then booking"]' \
  "Hi, what are your opening hours?" \
  "Can I come in on Saturday?" \
  "Please book me for ten in the morning." \
  "That is all. Goodbye."

build cancel-noisy-44k-stereo espeak-ng en-gb male 44100 2 pcm16 yes \
  "[\"stereo mix-down + 44.1k + noise (${NOISE_SNR_DB} dB SNR pink noise)\", \"VAD / endpointing with a noise floor in the silences\", \"cancellation flow\"]" \
  "Good morning, I need to cancel my appointment." \
  "It was on Friday at two o'clock." \
  "My name is John Smith." \
  "No, thank you. Goodbye."

{
  printf '{\n'
  printf '  "generator": "media-fixtures/make-fixtures.sh",\n'
  printf '  "domain": "Bright Smile Dental phone line (caller side only)",\n'
  printf '  "structure": {"lead_silence_s": %s, "gap_between_utterances_s": %s, "tail_silence_s": %s, "max_pause_inside_utterance_s": %s, "note": "lead, utterance, gap, utterance, ..., last utterance, tail; the gap between utterances is where the agent answers"},\n' \
    "$LEAD_S" "$GAP_S" "$TAIL_S" "$MAX_PAUSE_S"
  printf '  "fixtures": [\n'
  first=1
  for e in "${MANIFEST_ENTRIES[@]}"; do
    ((first)) || printf ',\n'
    printf '%s' "$e"
    first=0
  done
  printf '\n  ]\n}\n'
} > "$OUT/manifest.json"

changed=0
for f in "$OUT"/*; do
  dest="$HERE/$(basename "$f")"
  if [[ -f $dest ]] && cmp -s "$f" "$dest"; then
    continue
  fi
  cp "$f" "$dest"
  log "updated $(basename "$f")"
  changed=1
done
((changed)) || log "all fixtures up to date"

for f in "$HERE"/*.wav; do
  printf '  %-30s %s Hz, %s ch, %-28s %6ss %s\n' "$(basename "$f")" "$(soxi -r "$f")" "$(soxi -c "$f")" \
    "$(soxi -e "$f")," "$(awk -v d="$(soxi -D "$f")" 'BEGIN { printf "%.2f", d }')" "$(du -h "$f" | cut -f1)"
done
