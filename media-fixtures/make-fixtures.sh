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
KEY_ON_S=0.12            # a DTMF key press: tones this long,
KEY_OFF_S=0.15           # then this much silence before the next key
KEY_DBFS=-10             # each of a key's two tones peaks here

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
CORPUS_ENTRIES=()

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
      "pacing": "turn-aware",
      "faults": [],
      "dtmf": [],
      "channel": "$([[ $channels == 1 ]] && echo mono || echo 'mix (auto: the channels are identical)')",
      "exercises": $exercises
    }
EOF
)")
}

# DTMF key: two sines (ITU-T Q.23 frequencies), each KEY_DBFS peak.
key_tone() {
  local key=$1 out=$2 rate=$3 low high
  case $key in
    1) low=697 high=1209 ;; 2) low=697 high=1336 ;; 3) low=697 high=1477 ;; A) low=697 high=1633 ;;
    4) low=770 high=1209 ;; 5) low=770 high=1336 ;; 6) low=770 high=1477 ;; B) low=770 high=1633 ;;
    7) low=852 high=1209 ;; 8) low=852 high=1336 ;; 9) low=852 high=1477 ;; C) low=852 high=1633 ;;
    '*') low=941 high=1209 ;; 0) low=941 high=1336 ;; '#') low=941 high=1477 ;; D) low=941 high=1633 ;;
    *) die "not a DTMF key: $key" ;;
  esac
  local vol; vol=$(awk -v d="$KEY_DBFS" 'BEGIN { printf "%.4f", 10 ^ (d / 20) }')
  sx -n -r "$rate" -c 1 -b 16 -e signed-integer "$out.low.wav" synth "$KEY_ON_S" sine "$low" vol "$vol"
  sx -n -r "$rate" -c 1 -b 16 -e signed-integer "$out.high.wav" synth "$KEY_ON_S" sine "$high" vol "$vol"
  sx -m -v 1 "$out.low.wav" -v 1 "$out.high.wav" "$out"
}

# keys_segment DIGITS OUT RATE: each key KEY_ON_S of tones then KEY_OFF_S of silence (the last without).
keys_segment() {
  local digits=$1 out=$2 rate=$3 i
  local -a parts=()
  make_silence "$out.off.wav" "$rate" 1 "$KEY_OFF_S"
  for ((i = 0; i < ${#digits}; i++)); do
    key_tone "${digits:i:1}" "$out.k$i.wav" "$rate"
    ((i > 0)) && parts+=("$out.off.wav")
    parts+=("$out.k$i.wav")
  done
  if ((${#parts[@]} == 1)); then cp "${parts[0]}" "$out"; else sx "${parts[@]}" "$out"; fi
}

# noise_bed KIND SAMPLES RATE OUT: "street": traffic rumble (brown noise) under a hiss (pink noise),
# 16-bit mono at any level (the caller sets the SNR). Steady: a noise bed that swells, or a babble
# of voices, is speech to an energy VAD at this SNR (README.md, "The corpus").
noise_bed() {
  local kind=$1 len=$2 rate=$3 out=$4 dir; dir=$(mktemp -d "$WORK/noise.XXXX")
  [[ $kind == street ]] || die "unknown noise $kind"
  # Made a second longer and its first second dropped: the filters start from zero, and a call whose
  # first frames are quiet sets a VAD's noise floor far under the noise that follows.
  sx -r "$rate" -c 1 -b 16 -e signed-integer -n "$dir/brown.wav" synth "$((len + rate))s" brownnoise vol 0.15 trim "${rate}s"
  sx -r "$rate" -c 1 -b 16 -e signed-integer -n "$dir/pink.wav" synth "$((len + rate))s" pinknoise vol 0.5 trim "${rate}s"
  sx -m -v 1 "$dir/brown.wav" -v 1 "$dir/pink.wav" "$out"
}

# build_call NAME EXERCISES ITEMS...: a corpus call. ITEMS: an utterance's text, "@gap=S" (the
# silence before the next item, instead of GAP_S), "@keys=DIGITS" (a DTMF entry) or "@lead=S".
# Settings come from the environment of the call: C_ENGINE C_VOICE C_WPM C_RATE C_CHANNELS
# C_ENCODING (u-law | pcm16) C_NOISE (none | street) C_SNR C_PACING C_FAULTS (JSON) C_CHANNEL
# C_EXTRA (more JSON fields, each line starting with a newline) C_AGENT (yes: a Twilio
# dual-channel export, the agent's voice on the right channel in the silences).
build_call() {
  local name=$1 exercises=$2
  shift 2
  local rate=$C_RATE dir="$WORK/$name"; mkdir -p "$dir"
  log "rendering $name.wav ($C_ENGINE $C_VOICE, $C_WPM wpm)"
  local lead=$LEAD_S gap=$GAP_S pos=0 n k=0 u=0 first=1 item
  local -a seq=() speech=() timings=() keys=() utts=() agent_at=()
  for item in "$@"; do
    case $item in
      @lead=*) lead=${item#@lead=}; continue ;;
      @gap=*) gap=${item#@gap=}; continue ;;
    esac
    if ((first)); then
      make_silence "$dir/lead.wav" "$rate" 1 "$lead"; seq=("$dir/lead.wav"); pos=$(samples "$dir/lead.wav"); first=0
    else
      make_silence "$dir/gap$k-$u.wav" "$rate" 1 "$gap"
      agent_at+=("$pos")
      seq+=("$dir/gap$k-$u.wav"); pos=$((pos + $(samples "$dir/gap$k-$u.wav"))); gap=$GAP_S
    fi
    if [[ $item == @keys=* ]]; then
      local digits=${item#@keys=}
      keys_segment "$digits" "$dir/keys$k.wav" "$rate"
      n=$(samples "$dir/keys$k.wav")
      keys+=("{\"keys\": $(json_str "$digits"), \"start_s\": $(secs "$pos" "$rate"), \"end_s\": $(secs $((pos + n)) "$rate"), \"on_s\": $KEY_ON_S, \"off_s\": $KEY_OFF_S, \"turn\": $(json_str "[DTMF $digits]")}")
      seq+=("$dir/keys$k.wav"); pos=$((pos + n)); k=$((k + 1))
    else
      ESPEAK_WPM=$C_WPM synth_utterance "$C_ENGINE" "$C_VOICE" "$item" "$dir/u$u.wav" "$rate"
      n=$(samples "$dir/u$u.wav")
      timings+=("{\"text\": $(json_str "$item"), \"start_s\": $(secs "$pos" "$rate"), \"end_s\": $(secs $((pos + n)) "$rate")}")
      seq+=("$dir/u$u.wav"); speech+=("$dir/u$u.wav"); utts+=("$item"); pos=$((pos + n)); u=$((u + 1))
    fi
  done
  make_silence "$dir/tail.wav" "$rate" 1 "$TAIL_S"
  seq+=("$dir/tail.wav")
  sx "${seq[@]}" "$dir/clean.wav"

  local mixed="$dir/clean.wav" snr_json=null noise_json=false noise_type=null
  if [[ $C_NOISE != none ]]; then
    sx "${speech[@]}" "$dir/speech-only.wav"
    local len speech_rms noise_rms gain_db
    len=$(samples "$dir/clean.wav")
    noise_bed "$C_NOISE" "$len" "$rate" "$dir/noise-raw.wav"
    speech_rms=$(rms "$dir/speech-only.wav"); noise_rms=$(rms "$dir/noise-raw.wav")
    gain_db=$(awk -v s="$speech_rms" -v n="$noise_rms" -v t="$C_SNR" 'BEGIN { printf "%.2f", 20 * log(s / n) / log(10) - t }')
    sx "$dir/noise-raw.wav" "$dir/noise.wav" gain "$gain_db"
    sx -m -v 1 "$dir/clean.wav" -v 1 "$dir/noise.wav" "$dir/mixed.wav"
    snr_json=$(awk -v s="$speech_rms" -v n="$(rms "$dir/noise.wav")" 'BEGIN { printf "%.1f", 20 * log(s / n) / log(10) }')
    noise_json=true; noise_type="\"$C_NOISE\""; mixed="$dir/mixed.wav"
    log "  noise: $C_NOISE, measured SNR ${snr_json} dB"
  fi

  local -a enc
  case $C_ENCODING in
    u-law) enc=(-e u-law -b 8) ;;
    pcm16) enc=(-e signed-integer -b 16) ;;
    *) die "unknown encoding $C_ENCODING" ;;
  esac
  if [[ ${C_AGENT:-no} == yes ]]; then
    # The agent's side: a greeting in the lead, then a line 0.5 s into each silence; right channel.
    local -a alines=("Thank you for calling Bright Smile Dental. How can I help you?"
      "Happy to help. We have openings tomorrow at ten and at two."
      "Got it. May I have your name, please?"
      "Thank you. You are all set. Goodbye!")
    local -a aseq=()
    local a=0 at apos=0 starts=("$((rate / 2))")
    for at in "${agent_at[@]}"; do starts+=("$((at + rate / 2))"); done
    for at in "${starts[@]}"; do
      ((a < ${#alines[@]})) || break
      ESPEAK_WPM=175 synth_utterance espeak-ng en-us+f2 "${alines[$a]}" "$dir/agent$a.wav" "$rate"
      ((at > apos)) || at=$apos
      make_silence "$dir/agap$a.wav" "$rate" 1 "$(secs $((at - apos)) "$rate")"
      aseq+=("$dir/agap$a.wav" "$dir/agent$a.wav")
      apos=$((at + $(samples "$dir/agent$a.wav")))
      a=$((a + 1))
    done
    make_silence "$dir/atail.wav" "$rate" 1 "$(secs $(($(samples "$mixed") - apos)) "$rate")"
    sx "${aseq[@]}" "$dir/atail.wav" "$dir/agent.wav"
    sx -M "$mixed" "$dir/agent.wav" -r "$rate" "${enc[@]}" "$OUT/$name.wav"
  else
    sx "$mixed" -r "$rate" -c "$C_CHANNELS" "${enc[@]}" "$OUT/$name.wav"
  fi
  printf '%s\n' "${utts[@]}" > "$OUT/$name.txt"

  local dur; dur=$(secs "$(samples "$OUT/$name.wav")" "$rate")
  local enc_name bits channels; channels=$(soxi -c "$OUT/$name.wav")
  if [[ $C_ENCODING == u-law ]]; then enc_name="mu-law"; bits=8; else enc_name="pcm_s16le"; bits=16; fi
  local joined; joined=$(printf '        %s,\n' "${timings[@]}"); joined=${joined%,}
  local dtmf='[]'
  if ((${#keys[@]})); then dtmf="[$(IFS=,; echo "${keys[*]}")]"; fi
  CORPUS_ENTRIES+=("$(cat <<EOF
    {
      "file": "$name.wav",
      "transcript": "$name.txt",
      "format": {"container": "wav", "encoding": "$enc_name", "bits_per_sample": $bits, "sample_rate_hz": $rate, "channels": $channels},
      "duration_s": $dur,
      "voice": {"engine": "$C_ENGINE", "voice": "$C_VOICE", "words_per_minute": $([[ $C_ENGINE == flite ]] && echo null || echo "$C_WPM")},
      "noise": {"present": $noise_json, "type": $noise_type, "snr_db": $snr_json},
      "utterance_count": ${#utts[@]},
      "utterances": [
$joined
      ],
      "dtmf": $dtmf,
      "pacing": "$C_PACING",
      "faults": $C_FAULTS,
      "channel": "$C_CHANNEL",${C_EXTRA:-}
      "exercises": $exercises
    }
EOF
)")
}

# mp3_copy SOURCE KBPS: SOURCE.mp3 (LAME through sox) of a call already rendered, sharing its sidecar.
mp3_copy() {
  local src=$1 kbps=$2
  log "encoding $src.mp3 from $src.wav"
  sx "$OUT/$src.wav" -C "$kbps" "$OUT/$src.mp3"
  CORPUS_ENTRIES+=("$(cat <<EOF
    {
      "file": "$src.mp3",
      "transcript": "$src.txt",
      "twin": "$src.wav",
      "format": {"container": "mp3", "encoding": "MPEG-2 Layer III (LAME, $kbps kbps CBR)", "sample_rate_hz": $(soxi -r "$OUT/$src.wav"), "channels": $(soxi -c "$OUT/$src.wav")},
      "duration_s": $(awk -v d="$(soxi -D "$OUT/$src.wav")" 'BEGIN { printf "%.3f", d }'),
      "utterance_count": $(wc -l < "$OUT/$src.txt"),
      "dtmf": [],
      "pacing": "turn-aware",
      "faults": [],
      "channel": "mono",
      "exercises": ["MP3 decoding (NLayer) with the encoder delay removed: the same call as $src.wav, within the codec's error"]
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

# The corpus: one call per situation a bridge meets (README.md, "The corpus"). Each records in the
# manifest the pacing it needs, the faults it is meant to be replayed with, and its keys.
C_ENGINE=espeak-ng C_WPM=$ESPEAK_WPM C_CHANNELS=1 C_NOISE=none C_SNR=0 C_AGENT=no C_EXTRA=

C_VOICE=en-us+f3 C_RATE=8000 C_ENCODING=u-law C_PACING=timeline C_FAULTS='[]' C_CHANNEL=mono \
build_call bargein-ulaw8k \
  '["barge-in twice: the caller talks over the agent 1.3 s and 1.5 s after utterances 1 and 3 (replay --pace timeline; turn-aware pacing would wait for the replies)", "clear on the carrier, marks flushed, the cut reply kept to what was heard"]' \
  "Hi, what are your opening hours?" @gap=1.3 \
  "Can I come in on Saturday?" @gap=5 \
  "I need to cancel my appointment." @gap=1.5 \
  "It was on Friday at two o'clock." @gap=4.5 \
  "My name is Anna Brown." @gap=4.5 \
  "That is all. Goodbye."

C_VOICE=en-us C_RATE=8000 C_ENCODING=u-law C_PACING=turn-aware C_FAULTS='["primary:close@turn2"]' C_CHANNEL=mono \
build_call dtmf-ulaw8k \
  '["in-band DTMF: the caller types 1205# (a date of birth) as tones; the fake carrier detects them and presses the keys (Twilio dtmf message, RFC 4733 on SIP), and the agent answers the [DTMF 1205#] turn", "keys seeded into the next engine after a failover (primary:close@turn2)"]' \
  "Hello, I would like to move my appointment." \
  "I will type my date of birth." \
  @keys=1205# \
  "Tomorrow afternoon, if possible." \
  "My name is Maria Lopez." \
  "That is all. Goodbye."

C_VOICE=en-gb-x-rp C_RATE=8000 C_ENCODING=pcm16 C_PACING=turn-aware C_FAULTS='[]' C_CHANNEL=mono \
build_call silences-pcm8k \
  '["long silences: the caller goes quiet for 9 s and 8 s mid-call (no turn, no stall trigger, no reprompt loop)", "8 kHz 16-bit PCM"]' \
  "Hello, I would like to book an appointment." \
  "Tomorrow morning, if possible." @gap=9 \
  "Sorry, I was looking at my calendar. Nine o'clock in the morning." @gap=8 \
  "My name is David Lee." \
  "Thank you. Goodbye."

C_VOICE=en-us+m3 C_RATE=8000 C_ENCODING=pcm16 C_NOISE=street C_SNR=8 C_PACING=turn-aware C_FAULTS='[]' C_CHANNEL=mono \
build_call noisy-street-8k \
  '["a very noisy line: street noise (brown rumble under pink hiss) at 8 dB SNR through the whole call", "VAD endpointing and the turn count with a loud noise floor from the first frame"]' \
  "Hi, I need to cancel my appointment." \
  "It was on Friday at two o'clock." \
  "My name is John Smith." \
  "No, thank you. Goodbye."

C_VOICE=en-us+f4 C_WPM=260 C_RATE=16000 C_ENCODING=pcm16 C_PACING=turn-aware C_FAULTS='[]' C_CHANNEL=mono \
build_call fast-talker-16k \
  '["a fast talker: espeak-ng at 260 words a minute (the others speak at 175)", "short utterances, short inner pauses, endpointing"]' \
  "Hello, I would like to book an appointment for a cleaning." \
  "Tomorrow morning, if possible, before work." \
  "My name is Anna Brown." \
  "Yes, that works for me. Thank you."

C_ENGINE=flite C_VOICE=kal C_WPM=0 C_RATE=8000 C_ENCODING=u-law C_PACING=turn-aware C_FAULTS='["primary:close@turn2"]' C_CHANNEL=mono \
build_call toolcall-ulaw8k \
  '["a tool call: the first request makes the agent call check_availability before it answers", "the reply after a failover (primary:close@turn2) from a history with a tool call in it"]' \
  "Hi, can I book a cleaning for Thursday?" \
  "Ten o'clock works for me." \
  "My name is David Lee." \
  "That is all. Goodbye."

C_VOICE=en-gb C_RATE=8000 C_ENCODING=u-law C_PACING=turn-aware C_CHANNEL=mono GAP_S=6.5 \
C_FAULTS='["primary:close@turn2", "primary:close@turn7"]' \
C_EXTRA='
      "failback": {"break_duration_s": 1, "probe_interval_s": 0.5, "failback_min_dwell_s": 20, "note": "ProviderHealthOptions for the test (replay runs the defaults: 5 s break, 5 s probes, 60 s dwell, so a replay fails back at most once, late)"},
      "switches": ["openai-realtime -> local (socket lost at turn 2)", "local -> openai-realtime (failback)", "openai-realtime -> local (socket lost at the primary'"'"'s 7th spoken reply)"],' \
build_call long-call-ulaw8k \
  '["a long call (10 utterances, about 90 s): two failovers and a failback between them", "the whole conversation seeded twice, and back"]' \
  "Hello, I would like to book an appointment." \
  "Tomorrow afternoon, if possible." \
  "My name is David Lee." \
  "Can I come in on Thursday instead?" \
  "Please book me for ten in the morning." \
  "What are your opening hours on Saturday?" \
  "I also need to cancel my appointment." \
  "It was on Friday at two o'clock." \
  "Yes, that works for me. Thank you." \
  "No, thank you. Goodbye."

C_ENGINE=espeak-ng C_VOICE=en-us C_WPM=$ESPEAK_WPM C_RATE=8000 C_ENCODING=pcm16 C_PACING=turn-aware C_FAULTS='[]' C_AGENT=yes \
C_CHANNEL='left (auto: the channels differ; Twilio puts the caller on the left)' \
build_call twilio-dual-8k \
  '["a Twilio dual-channel recording export: stereo 8 kHz 16-bit, the caller on the left, the agent (espeak-ng en-us+f2) on the right", "--channel auto picks the left channel; the recorded agent never reaches the bridge"]' \
  @lead=4 \
  "Hi, I would like to book an appointment." @gap=4.5 \
  "Tomorrow afternoon, if possible." @gap=4.5 \
  "My name is Maria Lopez." @gap=4.5 \
  "Thank you. Goodbye."

mp3_copy hours-pcm16k 32

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
  printf '\n  ],\n'
  printf '  "corpus_note": "fixtures: the three format fixtures every fault matrix runs over (turn-aware, 4 utterances each); corpus: one call per situation, each replayed with its own pacing and faults (tests/VoiceBridge.Tests/Replay/CorpusReplayTests.cs). utterance_count counts speech only: a DTMF entry is a turn [DTMF keys] of its own, not an utterance, as replay counts it",\n'
  printf '  "corpus": [\n'
  first=1
  for e in "${CORPUS_ENTRIES[@]}"; do
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

for f in "$HERE"/*.wav "$HERE"/*.mp3; do
  printf '  %-30s %s Hz, %s ch, %-28s %6ss %s\n' "$(basename "$f")" "$(soxi -r "$f")" "$(soxi -c "$f")" \
    "$(soxi -e "$f")," "$(awk -v d="$(soxi -D "$f")" 'BEGIN { printf "%.2f", d }')" "$(du -h "$f" | cut -f1)"
done
