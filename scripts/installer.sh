#!/usr/bin/env bash
# Installe ce dont convgen a besoin sur une machine Debian/Ubuntu neuve (Python >= 3.10) :
# LibreOffice (PDF, pagination), les polices compatibles (Calibri/Arial/Cambria), poppler-utils
# (aperçus PNG), Chromium (tests de l'application web), puis un environnement Python .venv
# avec convgen et ses outils de test.
# Relancer le script ne réinstalle que ce qui manque.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3-venv libreoffice-writer-nogui fonts-liberation2 fonts-crosextra-carlito
              fonts-crosextra-caladea poppler-utils chromium)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installation des paquets Debian : ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
echo "convgen est installé : .venv/bin/convgen"
